@echo off
rem Windows equivalent of `make test`: create .venv, install, run the whole suite offscreen.
setlocal
cd /d "%~dp0\.."
if not exist .venv\Scripts\python.exe (
    py -3 -m venv .venv || python -m venv .venv || goto :error
)
if not exist .venv\.installed (
    .venv\Scripts\python.exe -m pip install --upgrade pip || goto :error
    .venv\Scripts\python.exe -m pip install -e ".[test,dev]" || goto :error
    type nul > .venv\.installed
)
set QT_QPA_PLATFORM=offscreen
.venv\Scripts\python.exe -m pytest -q -n auto %*
exit /b %errorlevel%
:error
echo 安装失败，请检查 Python 3.10 以上版本是否已安装。
exit /b 1
