-- Every series (SKU x store or region) of the newest finished forecast run, with its first forecast day and
-- the units forecast over the horizon (all models summed), largest first. No parameters.
SELECT f.sku_id, f.store_id, MIN(f.forecast_date) AS forecast_date, SUM(f.mean) AS forecast_units
FROM sales_forecast_latest f
GROUP BY f.sku_id, f.store_id
ORDER BY SUM(f.mean) DESC, f.sku_id, f.store_id
