"""Extensions, created unbound and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

from .database import Database

db = Database()
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address, default_limits=[])
