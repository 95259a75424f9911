-- Order lines with their order's time, customer and serving FDC: the input of embeddings and assortment.
-- Parameters: :start and :end (timestamps, end exclusive).
SELECT o.order_id, o.ts, o.customer_id, o.fdc_id, l.sku_id, l.qty, l.price
FROM orders o
JOIN order_line l ON l.order_id = o.order_id
WHERE o.ts >= :start AND o.ts < :end
ORDER BY o.ts, o.order_id, l.sku_id
