factor = 3


def scale(x):
    return x * factor
