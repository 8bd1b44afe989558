"""Qt widgets of wanghu-desk: windows, tabs, item models, dialogs and workers.

Widgets read and change data only through `wanghu_desk` services and the database
lifecycle module; they never build queries themselves.
"""
