-- Demo only: the shopping intent ("look") the generator planted each SKU in, to judge embedding neighbours.
-- No parameters.
SELECT sku_id, look_id FROM truth_sku ORDER BY sku_id
