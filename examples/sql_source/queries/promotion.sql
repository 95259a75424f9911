-- promotion: the campaign calendar, planned ahead; pct_off is in percent, skulab wants a fraction.
SELECT c.campaign_no     AS promo_id,
       c.mechanic        AS promo_type,
       c.valid_from      AS start_date,
       c.valid_to        AS end_date,
       c.pct_off / 100.0 AS discount,
       c.applies_to      AS scope
FROM campaigns c
