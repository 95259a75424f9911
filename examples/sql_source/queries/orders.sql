-- orders: web orders, each shipped from the depot that serves its address.
SELECT o.order_no    AS order_id,
       o.placed_at   AS ts,
       o.customer_no AS customer_id,
       o.depot_code  AS fdc_id
FROM web_orders o
