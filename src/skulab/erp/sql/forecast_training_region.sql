-- Training rows for forecasting at region x SKU level: store sales summed per region, SKU and day (or week).
-- Parameters: :start and :end (dates, inclusive). store_id holds the region, so the output looks like the
-- store-level query. Prices are unit-weighted means when units were sold, plain means otherwise; a period
-- counts as a stock-out when any store of the region ran out; promo_type and discount are those of the
-- region's deepest promotion that period.
SELECT s.date, st.region AS store_id, s.sku_id,
       SUM(s.units) AS units,
       CASE WHEN SUM(s.units) > 0 THEN SUM(s.units * s.price) / SUM(s.units) ELSE AVG(s.price) END AS price,
       AVG(s.base_price) AS base_price,
       MAX(s.promo_type) AS promo_type,
       MAX(s.discount) AS discount,
       MAX(CASE WHEN s.stockout THEN 1 ELSE 0 END) AS stockout,
       MAX(k.style_id) AS style_id, MAX(k.category) AS category, MAX(k.color) AS color, MAX(k.size) AS size,
       MAX(k.season) AS season, MAX(k.list_price) AS list_price,
       st.region AS region
FROM fact_sales s
JOIN dim_sku k ON k.sku_id = s.sku_id
JOIN dim_store st ON st.store_id = s.store_id
WHERE s.date >= :start AND s.date <= :end
GROUP BY s.date, st.region, s.sku_id
ORDER BY st.region, s.sku_id, s.date
