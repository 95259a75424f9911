-- What is SKU :sku_id forecast to sell at store (or region) :store_id on day :forecast_date, by model :model
-- (e.g. 'WeightedEnsemble')? Reads the newest finished forecast run through the view sales_forecast_latest.
SELECT f.run_id, f.model, f.sku_id, f.store_id, f.forecast_date, f.mean, f.q10, f.q50, f.q90
FROM sales_forecast_latest f
WHERE f.sku_id = :sku_id AND f.store_id = :store_id AND f.forecast_date = :forecast_date AND f.model = :model
