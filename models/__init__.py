from . import payment_token
from . import res_users
from . import res_config_settings
from . import res_company
from . import res_partner
from . import portal_access_recovery_code
from . import ir_http
from . import mail_message
