-- Demo only: the generator's expected demand per store x SKU x day, the forecasting noise floor.
-- Parameters: :start and :end (dates, inclusive). expected_sq (the square) lets region sums keep their variance.
SELECT t.date, t.store_id, t.sku_id, t.expected_units, t.expected_units * t.expected_units AS expected_sq
FROM truth_demand t
WHERE t.date >= :start AND t.date <= :end
ORDER BY t.store_id, t.sku_id, t.date
