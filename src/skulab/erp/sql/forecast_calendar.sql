-- The retail calendar for forecasting features: weekday, week, month and holiday of every day.
-- Parameters: :start and :end (dates, inclusive).
SELECT c.date, c.weekday, c.week_of_year, c.week_start, c.month, c.year, c.is_holiday, c.holiday
FROM dim_calendar c
WHERE c.date >= :start AND c.date <= :end
ORDER BY c.date
