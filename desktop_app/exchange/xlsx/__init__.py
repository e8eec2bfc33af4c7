"""The .xlsx format of a ward's sheet, one job per module; each reader sits beside the writer it inverts.

Writing: `layout_writer` (a sheet into a worksheet) with `cells` (text in a cell), `styles`,
`row_heights`, `formulas` (合計 and parents' sums), `keys` (the hidden key column), `print_setup`,
`hidden_record` (the sheet file in a hidden worksheet) and `workbook` (identical bytes).
Reading: `zip_checks` and `limits` (refused before openpyxl unpacks anything), `load`, `grid` (the
layout's rows and columns located), `hidden_record` and `layout_reader` (a worksheet into a Sheet).
`xlsx_export.render_xlsx` and `xlsx_import.read_xlsx` are the entry points; openpyxl is imported
only when one of these modules is (never by `list` or `export json`).
"""
