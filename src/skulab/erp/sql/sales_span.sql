-- The first and last sales date of the ERP: how much history a backtest can cut windows from.
SELECT MIN(s.date) AS first_date, MAX(s.date) AS last_date
FROM fact_sales s
