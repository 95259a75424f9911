-- fact_sales: one row per day x shop x article. The till records a promotion code (NULL when none) whose
-- mechanic is the promotion type; the discount is taken against the article's retail price, and the
-- sold-out flag ('Y', 'N' or NULL when not recorded) marks days whose sales understate demand.
SELECT s.sale_date    AS date,
       s.shop_no      AS store_id,
       s.article_no   AS sku_id,
       s.qty          AS units,
       s.unit_price   AS price,
       a.retail_price AS base_price,
       p.mechanic     AS promo_type,
       CASE WHEN s.promo_code IS NOT NULL AND a.retail_price > 0
            THEN 1 - s.unit_price / a.retail_price END AS discount,
       CASE s.sold_out WHEN 'Y' THEN 1 WHEN 'N' THEN 0 END AS stockout
FROM daily_sales s
JOIN articles a ON a.article_no = s.article_no
LEFT JOIN promo_codes p ON p.promo_code = s.promo_code
