-- Training rows for forecasting at store x SKU level: sales with the SKU's and the store's attributes.
-- Parameters: :start and :end (dates, inclusive). One row per day (or week) x store x SKU.
SELECT s.date, s.store_id, s.sku_id, s.units, s.price, s.base_price, s.promo_type, s.discount, s.stockout,
       k.style_id, k.category, k.color, k.size, k.season, k.list_price,
       st.region, st.segment, st.area_sqm
FROM fact_sales s
JOIN dim_sku k ON k.sku_id = s.sku_id
JOIN dim_store st ON st.store_id = s.store_id
WHERE s.date >= :start AND s.date <= :end
ORDER BY s.store_id, s.sku_id, s.date
