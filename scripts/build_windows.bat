@echo off
rem Builds dist\wanghu-desk\wanghu-desk.exe with the checked-in PyInstaller spec.
setlocal
cd /d "%~dp0\.."
.venv\Scripts\python.exe -m pip install -e ".[package]" || exit /b 1
.venv\Scripts\python.exe -m PyInstaller --noconfirm wanghu-desk.spec
