-- The SKUs of every order with the order's FDC, time and customer: skulab.assort groups orders with the same
-- SKU set into order types (weight = number of orders) per FDC and week. Returned and zero-quantity lines are
-- left out (they need no stock). Parameters: :start and :end (timestamps, end exclusive).
SELECT o.fdc_id, o.order_id, o.ts, o.customer_id, l.sku_id, l.qty
FROM orders o
JOIN order_line l ON l.order_id = o.order_id
WHERE o.ts >= :start AND o.ts < :end AND l.qty > 0
ORDER BY o.fdc_id, o.ts, o.order_id, l.sku_id
