-- One series' sales history as the ERP holds it: SKU :sku_id at store :store_id, one row per day (or week).
SELECT s.date, s.units, s.stockout
FROM fact_sales s
WHERE s.sku_id = :sku_id AND s.store_id = :store_id
ORDER BY s.date
