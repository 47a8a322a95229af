"""A program that ends with sys.exit(3)."""
import sys

count = 0
for i in range(5):
    count += i
    print("count", count)  #@capture 3
sys.exit(3)
