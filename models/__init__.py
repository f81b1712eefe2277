from . import payment_token
from . import res_users
from . import portal_access_recovery_code
from . import res_config_settings
from . import ir_http
