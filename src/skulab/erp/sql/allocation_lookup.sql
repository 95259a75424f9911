-- How many units of SKU :sku_id go to store :store_id in the period starting :period, from the newest
-- finished allocation run (written by `skulab allocate`).
SELECT a.run_id, a.dc_id, a.store_id, a.sku_id, a.period, a.units, a.policy
FROM store_allocation_latest a
WHERE a.sku_id = :sku_id AND a.store_id = :store_id AND a.period = :period
