"""A program that ends with an uncaught exception: the traceback must be the same."""


def compute(values):
    total = 0
    for v in values:
        total += 10 // v  #@capture 2
        print("partial", total)
    return total


def main():
    print("result", compute([5, 2, 1, 0]))


main()
