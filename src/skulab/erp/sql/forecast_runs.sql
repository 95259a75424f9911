-- Every forecast run with its status and the rows it holds in sales_forecast: a re-run with the same run id
-- replaces its rows, so the count stays that of one run. No parameters.
SELECT r.run_id, r.status, r.created_at, r.finished_at, COUNT(f.run_id) AS forecast_rows
FROM forecast_run r
LEFT JOIN sales_forecast f ON f.run_id = r.run_id
GROUP BY r.run_id, r.status, r.created_at, r.finished_at
ORDER BY r.run_id
