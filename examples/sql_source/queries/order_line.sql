-- order_line: the articles of each web order.
SELECT l.order_no   AS order_id,
       l.article_no AS sku_id,
       l.qty        AS qty,
       l.price      AS price
FROM web_order_lines l
