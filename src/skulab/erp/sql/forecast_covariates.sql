-- Your own covariates for forecasting: one value per name x day x scope (all, region:<name>, category:<name>,
-- store:<id>, sku:<id>, store:<id>/sku:<id>), known in advance (planned) or not (seen afterwards).
-- Parameters: :start and :end (dates, inclusive).
SELECT c.name, c.date, c.scope, c.value, c.known_in_advance
FROM covariate c
WHERE c.date >= :start AND c.date <= :end
ORDER BY c.name, c.scope, c.date
