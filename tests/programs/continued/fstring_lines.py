# Issue 10, defect 1: a call spanning two lines (a multi-line f-string), captured on
# its second line, where part of the expression is on the stack.
def main():
    a = b = 0
    for i in range(40):
        a += i
        b += 2 * i
        print(f"a={a} "
              f"b={b}", i)  # SECOND-LINE
        print("sum", sum([a,
                          b]))
    print("done")


main()
