"""File formats: Excel import and export (and, later, PDF reports). No Qt widgets.

- `reports.readers`: reading .xlsx / .xls / .csv (and HTML tables named .xls) into cells;
- `reports.columns`: the one table of roster columns, canonical headers and synonyms;
- `reports.layout`: finding the header row and the data rows of a sheet;
- `reports.import_rows`: normalising and checking rows, per roster kind;
- `reports.importing`: the import pipeline (preview, commit, problem list);
- `reports.xlsx_style`: titled, print-ready table sheets (also for ratings and ledgers);
- `reports.exports`: the roster exports.
"""
