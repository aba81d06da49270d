"""``python -m kjt``: the same as the ``kjt`` script."""

from kjt.cli import main

if __name__ == "__main__":
    main()
