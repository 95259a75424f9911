-- Sales with SKU, store and calendar attributes: the training table for forecasting and the EDA.
-- Parameters: :start and :end (dates, inclusive). One row per day (or week) x store x SKU.
SELECT s.date, s.store_id, s.sku_id, s.units, s.price, s.base_price, s.promo_type, s.discount, s.stockout,
       k.style_id, k.category, k.color, k.size, k.season, k.list_price,
       st.region, st.fdc_id, st.segment,
       c.weekday, c.week_start, c.is_holiday, c.holiday
FROM fact_sales s
JOIN dim_sku k ON k.sku_id = s.sku_id
JOIN dim_store st ON st.store_id = s.store_id
LEFT JOIN dim_calendar c ON c.date = s.date
WHERE s.date >= :start AND s.date <= :end
ORDER BY s.store_id, s.sku_id, s.date
