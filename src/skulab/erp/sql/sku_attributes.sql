-- SKU attributes that the assortment net embeds (categorical) or scales (price), and names for tables.
-- No parameters.
SELECT sku_id, style_id, name, category, color, size, season, launch_date, list_price
FROM dim_sku
ORDER BY sku_id
