from .alert import Alert
from .inspection import CHECKLIST, Inspection, InspectionPhoto, RectificationTask
from .scope import StaffScope

__all__ = ["CHECKLIST", "Alert", "Inspection", "InspectionPhoto", "RectificationTask", "StaffScope"]
