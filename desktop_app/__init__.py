"""まちづくり推進経費 管理: Kumamoto City's ward project sheets on an office PC."""

__version__ = "1.0.0"
APP_NAME = "まちづくり推進経費 管理"
