-- Order lines with their order's FDC, time and customer: the input of the EDA, the embeddings and the
-- assortment chapters. Returned and zero-quantity lines are left out (they need no stock and say nothing
-- about what is bought together). Parameters: :start and :end (timestamps, end exclusive).
SELECT o.fdc_id, o.order_id, o.ts, o.customer_id, l.sku_id, l.qty, l.price
FROM orders o
JOIN order_line l ON l.order_id = o.order_id
WHERE o.ts >= :start AND o.ts < :end AND l.qty > 0
ORDER BY o.ts, o.order_id, l.sku_id
