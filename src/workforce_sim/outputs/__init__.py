"""What people read: charts, the HTML report and the Excel workbook.

Imported on demand (matplotlib is slow to import), never by the layers below.
"""
