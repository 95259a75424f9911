-- The promotion calendar for forecasting: campaigns planned ahead reach the forecast's future periods.
-- Parameters: :start (date): promotions still running on or after it.
SELECT p.promo_id, p.promo_type, p.start_date, p.end_date, p.discount, p.scope
FROM promotion p
WHERE p.end_date >= :start
ORDER BY p.start_date, p.promo_id
