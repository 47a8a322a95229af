VALUE = "late module loaded"
