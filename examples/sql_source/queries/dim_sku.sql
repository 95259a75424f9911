-- dim_sku: one row per article of the articles master.
SELECT a.article_no    AS sku_id,
       a.model_code    AS style_id,
       a.descr         AS name,
       a.product_group AS category,
       a.colour        AS color,
       a.size_label    AS size,
       a.season_code   AS season,
       a.first_sale    AS launch_date,
       a.retail_price  AS list_price
FROM articles a
