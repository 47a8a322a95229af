# Issue 10, defect 2: classes in cycles (a registry of subclasses, classes naming
# each other).
class Device:
    registry = {}

    def read(self):
        return 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Device.registry[cls.__name__.lower()] = cls


class Thermo(Device):
    def read(self):
        return 21


class Hygro(Device):
    partner = Thermo

    def read(self):
        return 40


Thermo.partner = Hygro
total = 0
for i in range(30):
    for name in sorted(Device.registry):
        total += Device.registry[name]().read() + Device.registry[name].partner().read()
    print(i, total)  # CAPTURE
print(sorted(Device.registry), Thermo.partner.__name__, Hygro.partner.__name__)
