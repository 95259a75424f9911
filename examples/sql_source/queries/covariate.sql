-- covariate: two drivers of store demand, both planned (known in advance): the daily temperature anomaly per
-- area from the weather forecast, and the local events at shops. shop_events lists event days only: the rows
-- scoped 'all' give 0 to every shop and day that no event row names.
SELECT 'temperature_anomaly'        AS name,
       w.obs_date                   AS date,
       CONCAT('region:', w.area)    AS scope,
       w.temp_anomaly               AS value,
       TRUE                         AS known_in_advance
FROM weather_daily w
UNION ALL
SELECT 'local_event', e.event_date, CONCAT('store:', e.shop_no), 1, TRUE
FROM shop_events e
UNION ALL
SELECT DISTINCT 'local_event', w.obs_date, 'all', 0, TRUE
FROM weather_daily w
