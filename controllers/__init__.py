from . import home
from . import portal_security
