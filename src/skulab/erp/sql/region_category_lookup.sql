-- What region :region is forecast to sell of category :category, period by period, from the newest finished
-- reconciliation run (written by `skulab trends`).
SELECT f.run_id, f.region, f.category, f.date, f.mean, f.q10, f.q50, f.q90, f.method
FROM region_category_forecast_latest f
WHERE f.region = :region AND f.category = :category
ORDER BY f.date
