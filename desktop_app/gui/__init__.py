"""The window: the PySide6 model/view editor of a ward's sheet, and its dialogs."""
