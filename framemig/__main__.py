from framemig.cli import main

main()
