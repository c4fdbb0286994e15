"""The operations of mm_oauth; HTML views, API views, admin and commands all call these."""
