"""skulab: SKU sales forecasting and forward-warehouse assortment on one ERP database."""
