from runwrap.cli.main import main

main()
