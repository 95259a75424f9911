-- Every store with its region and the FDC serving it, for store allocation. No parameters.
SELECT st.store_id, st.region, st.fdc_id
FROM dim_store st
ORDER BY st.store_id
