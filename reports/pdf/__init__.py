"""PDF reports in the look of Chinese official documents (GB/T 9704), on reportlab.

- `reports.pdf.document.OfficialDocument`: title block, 一、/（一） headings, body text,
  tables, charts, signature block, page numbers; `build(path)` writes atomically.
- `reports.pdf.tables.DataTable`: long tables, one page chunk at a time, header repeated.
- `reports.pdf.charts`: bar and pie charts with reportlab's own graphics.
- `reports.pdf.styles`: page geometry and paragraph styles; `reports.pdf.pages`: the page
  template and the page-number canvas ("— 3 —" or "第 3 页 共 12 页").

Fonts come from `reports.fonts.resolve_fonts()`. No Qt here.
"""
