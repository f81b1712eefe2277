from . import payment_token
from . import res_users
from . import res_config_settings
from . import res_company
from . import res_partner
from . import ir_qweb
from . import portal_access_recovery_code
from . import ir_http
