-- Demo only: the generator's expected demand summed per region x SKU x day (store_id holds the region).
-- Parameters: :start and :end (dates, inclusive).
SELECT t.date, st.region AS store_id, t.sku_id, SUM(t.expected_units) AS expected_units,
       SUM(t.expected_units * t.expected_units) AS expected_sq
FROM truth_demand t
JOIN dim_store st ON st.store_id = t.store_id
WHERE t.date >= :start AND t.date <= :end
GROUP BY t.date, st.region, t.sku_id
ORDER BY st.region, t.sku_id, t.date
