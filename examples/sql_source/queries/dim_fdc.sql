-- dim_fdc: the regional depots that serve shops and web orders.
SELECT d.depot_code AS fdc_id,
       d.depot_name AS name,
       d.area       AS region
FROM depots d
