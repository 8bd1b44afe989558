"""wanghu-desk entry point: `python main.py` opens the window; `python main.py COMMAND`
runs headless (see `python main.py --help`)."""

import multiprocessing
import sys

from wanghu_desk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the .xls reader checks a file in a child process
    sys.exit(main())
