-- dim_store: the shops; depot_code may be NULL (a shop served from the central DC).
SELECT s.shop_no     AS store_id,
       s.shop_name   AS name,
       s.area        AS region,
       s.town        AS city,
       s.depot_code  AS fdc_id,
       s.shop_format AS segment,
       s.sqm         AS area_sqm
FROM shops s
